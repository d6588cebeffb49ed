"""Getting the source files: where each comes from (mirror folder, cache,
URLs), HTTP transfers, the download cache, one zip member over Range, and
where every file is verified."""
