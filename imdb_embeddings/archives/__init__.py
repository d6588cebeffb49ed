"""Reading archives without extracting them: safe tar/zip members, and the
aclImdb reviews as rows."""
