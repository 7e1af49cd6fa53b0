"""Labels of the shared display pieces: turned tables, file pickers."""

LABELS: dict[str, tuple[str, str]] = {
    "col.figure": ("Chỉ số", "Figure"),
    "upload.button": ("Chọn tệp", "Choose a file"),
    "upload.hint": ("Kéo thả tệp vào đây hoặc bấm Chọn tệp · {types} · tối đa {size} MB",
                    "Drop a file here or press Choose a file · {types} · up to {size} MB"),
}
