#define _GNU_SOURCE
#include "CFileStatus.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#if defined(__linux__)
#include <sys/sysmacros.h>
#endif

static void from_stat(const struct stat *st, struct ledger_file_status *out) {
    out->size = (int64_t)st->st_size;
    out->links = (uint64_t)st->st_nlink;
    out->device = (uint64_t)st->st_dev;
    out->inode = (uint64_t)st->st_ino;
    out->mode = (uint32_t)st->st_mode;
}

#if defined(__linux__) && defined(STATX_NLINK)
/// `statx` without the times; 1 when it is not there to call (ENOSYS, or EPERM from a sandbox).
static int from_statx(int dirfd, const char *path, int flags, struct ledger_file_status *out) {
    struct statx sx;
    unsigned int mask = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_INO | STATX_SIZE;
    if (statx(dirfd, path, flags, mask, &sx) == 0) {
        out->size = (int64_t)sx.stx_size;
        out->links = sx.stx_nlink;
        out->device = (uint64_t)makedev(sx.stx_dev_major, sx.stx_dev_minor);
        out->inode = sx.stx_ino;
        out->mode = sx.stx_mode;
        return 0;
    }
    return (errno == ENOSYS || errno == EPERM) ? 1 : -1;
}
#endif

int ledger_fd_status(int fd, struct ledger_file_status *out) {
#if defined(__linux__) && defined(STATX_NLINK)
    int r = from_statx(fd, "", AT_EMPTY_PATH, out);
    if (r <= 0) {
        return r;
    }
#endif
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return -1;
    }
    from_stat(&st, out);
    return 0;
}

int ledger_path_status(const char *path, struct ledger_file_status *out) {
#if defined(__linux__) && defined(STATX_NLINK)
    int r = from_statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, out);
    if (r <= 0) {
        return r;
    }
#endif
    struct stat st;
    if (lstat(path, &st) != 0) {
        return -1;
    }
    from_stat(&st, out);
    return 0;
}
