"""Opt-in research (docs/frontier.md): methods the default run does not use, kept apart so
that changing them reruns none of its stages."""
