"""Errors that refuse a whole file. Row problems are never exceptions: they are stored on the
row and shown in the preview."""


class ImportFileError(Exception):
    """The file cannot be imported at all; the message is Vietnamese and says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
