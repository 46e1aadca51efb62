"""An svn transaction's files whole, for what ``svnlook diff`` does not show
(ChangeSet.contents, regime/undiffed.py): a text file whose svn:mime-type says it is
binary ("(Binary files differ)"), a file a copy or move brings under a rule.

svnlook reads one file per process; only such files are read, which are few."""

from __future__ import annotations

from regime.changeset import ChangedFile, FileStatus
from regime.sources.svn import Changes, Transaction


class SvnContents:
    def __init__(self, transaction: Transaction, changes: Changes) -> None:
        self.txn = transaction
        self.changes = changes
        self._base: str | None = None

    def after(self, changed: ChangedFile, limit: int) -> bytes | None:
        """The file in the transaction; None for a symlink (svn:special), whose text
        is where it points, as git's door never reads one as lines."""
        if self.txn.special(changed.path):
            return None
        return self.txn.cat(changed.path, limit)

    def head(self, changed: ChangedFile, size: int) -> bytes | None:
        """The file's first bytes (svnlook is stopped there); None for a symlink (svn
        stores one as ``link TARGET``: only a file that starts so costs the propget
        that tells, not every file read for its type)."""
        data = self.txn.head(changed.path, size)
        if data is not None and data.startswith(b"link ") and self.txn.special(changed.path):
            return None
        return data

    def before(self, changed: ChangedFile, limit: int) -> list[bytes]:
        """The copy's source at the copied revision, else the file in the revision the
        transaction is made on; nothing for a file added without history."""
        source = self.changes.copy_source(changed.path)
        if source is not None:
            old = self.txn.cat(source[0], limit, revision=source[1])
        elif changed.status is FileStatus.ADDED:
            return []
        else:
            if self._base is None:
                self._base = self.txn.base_revision()
            old = self.txn.cat(changed.path, limit, revision=self._base)
        return [] if old is None else [old]
