"""What every stage uses: errors and the stage entry point, atomic files and
checksums, progress reporting, and params.yaml."""
