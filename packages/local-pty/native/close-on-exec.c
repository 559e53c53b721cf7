/*
 * setCloseOnExec(fd): sets FD_CLOEXEC on a descriptor this process holds. node-pty opens each
 * terminal's master without it, so every later child would inherit every terminal; Node has no
 * fcntl. Throws (errno name in `code`) when fcntl fails.
 *
 * pipe() -> [readFd, writeFd]: a pipe, both ends close-on-exec. Node has no pipe(): its
 * child_process gives a child socket pairs, where `> /dev/stdout` fails (ENXIO) and each small
 * write costs the writer more. Throws (errno name in `code`) when the pipe cannot be made.
 *
 * setPipeSize(fd, bytes) -> bytes: asks the kernel for a pipe capacity (F_SETPIPE_SZ) and returns
 * the capacity it gave; throws (EPERM past the user's pipe limits, EBUSY, ...) when it refuses.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int error) {
  const char *name = error == EBADF    ? "EBADF"
                     : error == EMFILE ? "EMFILE"
                     : error == ENFILE ? "ENFILE"
                     : error == EPERM  ? "EPERM"
                     : error == EBUSY  ? "EBUSY"
                                       : "EFCNTL";
  napi_throw_error(env, name, strerror(error));
  return NULL;
}

static napi_value set_close_on_exec(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "setCloseOnExec(fd) takes a non-negative integer fd");
    return NULL;
  }
  int flags = fcntl(fd, F_GETFD);
  if (flags == -1 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == -1) return throw_errno(env, errno);
  return NULL;
}

static int close_on_exec_pipe(int ends[2]) {
#ifdef __linux__
  return pipe2(ends, O_CLOEXEC);
#else
  if (pipe(ends) == -1) return -1;
  for (int i = 0; i < 2; i++) {
    if (fcntl(ends[i], F_SETFD, FD_CLOEXEC) == -1) {
      int error = errno;
      close(ends[0]);
      close(ends[1]);
      errno = error;
      return -1;
    }
  }
  return 0;
#endif
}

static napi_value make_pipe(napi_env env, napi_callback_info info) {
  (void)info;
  int ends[2];
  if (close_on_exec_pipe(ends) == -1) return throw_errno(env, errno);
  napi_value result, value;
  if (napi_create_array_with_length(env, 2, &result) != napi_ok) {
    close(ends[0]);
    close(ends[1]);
    return NULL;
  }
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_int32(env, ends[i], &value);
    napi_set_element(env, result, i, value);
  }
  return result;
}

static napi_value set_pipe_size(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  int32_t fd, bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 || napi_get_value_int32(env, argv[1], &bytes) != napi_ok ||
      bytes <= 0) {
    napi_throw_type_error(env, NULL, "setPipeSize(fd, bytes) takes a non-negative fd and a positive size");
    return NULL;
  }
#ifdef F_SETPIPE_SZ
  int size = fcntl(fd, F_SETPIPE_SZ, bytes);
  if (size == -1) return throw_errno(env, errno);
  napi_value result;
  napi_create_int32(env, size, &result);
  return result;
#else
  /* Linux only: elsewhere a pipe keeps its size. */
  return throw_errno(env, ENOSYS);
#endif
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "setCloseOnExec", NAPI_AUTO_LENGTH, set_close_on_exec, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "setCloseOnExec", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "pipe", NAPI_AUTO_LENGTH, make_pipe, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "pipe", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "setPipeSize", NAPI_AUTO_LENGTH, set_pipe_size, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "setPipeSize", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
