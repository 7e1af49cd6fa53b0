"""A province's ISO status sheet: vocabulary, reading, what it means for each unit, the template,
the preview-then-confirm import, its page and commands.
"""
