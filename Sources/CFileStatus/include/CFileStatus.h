#ifndef C_FILE_STATUS_H
#define C_FILE_STATUS_H

#include <stdint.h>

/// What the ledger asks of a file between appends: no times.
struct ledger_file_status {
    int64_t size;
    uint64_t links;
    uint64_t device;
    uint64_t inode;
    uint32_t mode;
};

/// The size, link count, device, inode and mode of the open file `fd`, without asking for its times.
///
/// On Linux this is `statx` with a mask that leaves out the times. Since Linux 6.13 a query of a
/// file's change time makes the kernel give the file's next write a fine-grained time, which on
/// ext4 dirties the inode in the journal on every append; leaving the times out keeps appends that
/// follow a check cheap. Where `statx` is missing (an older kernel, a sandbox that refuses it, not
/// Linux) it falls back to `fstat`.
///
/// Returns 0, or -1 with `errno` set.
int ledger_fd_status(int fd, struct ledger_file_status *out);

/// The same for the file at `path` itself: a symlink is not followed (as `lstat`).
int ledger_path_status(const char *path, struct ledger_file_status *out);

#endif
