/*
 * setCloseOnExec(fd): sets FD_CLOEXEC on a descriptor this process holds. node-pty opens each
 * terminal's master without it, so every later child would inherit every terminal; Node has no
 * fcntl. Throws (errno name in `code`) when fcntl fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <node_api.h>

static napi_value throw_errno(napi_env env, int error) {
  const char *name = error == EBADF ? "EBADF" : "EFCNTL";
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

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "setCloseOnExec", NAPI_AUTO_LENGTH, set_close_on_exec, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "setCloseOnExec", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
