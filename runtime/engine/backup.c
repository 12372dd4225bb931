/*
 * backup.c - qtm_backup: a consistent, durable, verified copy of the database.
 *
 * The copy itself is the store's (STORE_CTL_BACKUP: SQLite's online backup
 * in one step); this file owns the file dance around it, so a crash at any
 * point leaves either the old FILE or the new, complete and verified one,
 * never a torn one under FILE's name: write FILE.tmp, verify it, fsync it,
 * rename it, fsync the directory.
 */
#include "qtm_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* fsync of a file or directory by name; errno kept on failure. */
static int sync_path(const char *path, int dir)
{
    int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

/* The directory holding path, into dir (size n). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* A failure of the file system: the disk-full case is told apart. */
static qtm_status os_fail(qtm *q, const char *doing, const char *path)
{
    int e = errno;
    qtm_fail(q, QTM_ESTORAGE, "%s%s %s: %s", e == ENOSPC ? "the disk is full: " : "",
             doing, path, strerror(e));
    q->disk_full = e == ENOSPC;
    return QTM_ESTORAGE;
}

/* Removes the -wal and -shm that opening the copy made (a qtm handle keeps
 * them, PERSIST_WAL): verifying only reads, so the log holds nothing. */
static void drop_sidecars(const char *path)
{
    static const char *const ext[] = {"-wal", "-shm"};
    char side[4200];
    for (int i = 0; i < 2; i++) {
        snprintf(side, sizeof side, "%s%s", path, ext[i]);
        unlink(side);
    }
}

/* Opens the copy at path and verifies it; the findings go in the message. */
static qtm_status verify_copy(qtm *q, const char *path, json_t **report)
{
    qtm *b = NULL;
    json_t *r = NULL;
    qtm_status st = qtm_open(path, 0, &b);
    if (st != QTM_OK) {
        st = qtm_fail(q, QTM_EVERIFY, "the copy does not open (%s)",
                      b ? qtm_errmsg(b) : "out of memory");
        goto cleanup;
    }
    st = qtm_verify(b, &r);
    if (st != QTM_OK) {
        st = qtm_fail(q, QTM_EVERIFY, "the copy does not verify: %s", qtm_errmsg(b));
        goto cleanup;
    }
    *report = json_pack("{s:I,s:I}", "audit_rows", json_integer_value(json_object_get(r, "audit_rows")),
                        "jobs", json_integer_value(json_object_get(r, "jobs")));
cleanup:
    json_decref(r);
    qtm_close(b);
    drop_sidecars(path);
    return st;
}

static qtm_status check_target(qtm *q, const char *path, unsigned flags)
{
    struct stat sb;
    if (!*path)
        return qtm_fail(q, QTM_EUSAGE, "the backup path is empty");
    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? QTM_OK : os_fail(q, "cannot look at", path);
    if (!(flags & QTM_BACKUP_FORCE))
        return qtm_fail(q, QTM_EUSAGE, "%s exists: give another name, or --force to replace it",
                        path);
    struct stat live;
    if (q->path && stat(q->path, &live) == 0 && live.st_dev == sb.st_dev &&
        live.st_ino == sb.st_ino)
        return qtm_fail(q, QTM_EUSAGE, "%s is the database being backed up: give another name",
                        path);
    if (!S_ISREG(sb.st_mode))
        return qtm_fail(q, QTM_EUSAGE, "%s is not a regular file: a backup replaces only a file",
                        path);
    return QTM_OK;
}

qtm_status qtm_backup(qtm *q, const char *path, unsigned flags, json_t **report)
{
    char tmp[4096], dir[4096];
    json_t *r = NULL;
    int made = 0;
    struct stat sb;
    if (report)
        *report = NULL;
    qtm_ok(q);
    if (!q->st)
        return qtm_fail(q, QTM_ESTORAGE, "no database is open");
    qtm_status st = check_target(q, path, flags);
    if (st != QTM_OK)
        return st;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return qtm_fail(q, QTM_EUSAGE, "the backup path is too long");
    dir_of(path, dir, sizeof dir);
    /* a FILE.tmp left by a backup that died is ours to replace */
    if (unlink(tmp) != 0 && errno != ENOENT) {
        st = os_fail(q, "cannot remove the stale", tmp);
        goto cleanup;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        st = os_fail(q, "cannot create", tmp);
        goto cleanup;
    }
    made = 1;
    int mode_rc = fchmod(fd, 0600);   /* whatever the umask */
    close(fd);
    if (mode_rc != 0) {
        st = os_fail(q, "cannot set the mode of", tmp);
        goto cleanup;
    }
    store_rc rc = store_control(q->st, STORE_CTL_BACKUP, tmp);
    if (rc != STORE_OK) {
        st = qtm_store_fail(q, rc, "copying the database");
        goto cleanup;
    }
    if ((st = verify_copy(q, tmp, &r)) != QTM_OK)
        goto cleanup;
    if (sync_path(tmp, 0) != 0) {
        st = os_fail(q, "cannot sync", tmp);
        goto cleanup;
    }
    /* the file replaced may leave a -wal and -shm: SQLite would replay them
     * onto the copy, which is another database (the copy's own were
     * dropped after verifying) */
    drop_sidecars(path);
    if (rename(tmp, path) != 0) {
        st = os_fail(q, "cannot rename the copy to", path);
        goto cleanup;
    }
    made = 0;
    if (sync_path(dir, 1) != 0) {
        st = os_fail(q, "cannot sync the directory", dir);
        goto cleanup;
    }
    json_object_set_new(r, "file", json_string(path));
    json_object_set_new(r, "bytes", json_integer(stat(path, &sb) == 0 ? (json_int_t)sb.st_size : -1));
    if (report) {
        *report = r;
        r = NULL;
    }
    st = qtm_ok(q);
cleanup:
    if (made)
        unlink(tmp);
    json_decref(r);
    return st;
}
