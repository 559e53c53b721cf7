/*
 * spawn(file, argv, envp, cwd, pipeStdout, pipeStderr, onExit) -> Promise<[pid, stdinFd, stdoutFd, stderrFd]>
 *
 * Starts a pipe-mode process with posix_spawn, which glibc runs as clone(CLONE_VM|CLONE_VFORK):
 * the parent's page tables are shared, not copied. Node's child_process forks instead, and a fork
 * copies every page table of the calling process while its event loop waits (6 ms for a small
 * Node process on a VM, tens of ms for a big one); posix_spawn of the same `true` takes 2-3 ms.
 *
 * The child gets what libuv gives a `detached: true` child: a new session (so its own process
 * group), every signal at its default disposition and none blocked (libuv resets 1-31 only), stdin
 * a pipe, stdout and stderr pipes or /dev/null (libuv would make socket pairs), no other
 * descriptor (closed in the child, close-on-exec or not), cwd changed before the exec. The command
 * is looked up through the PATH of `envp` (else /bin:/usr/bin, as execvp does), relative entries
 * and paths from `cwd`; a file the kernel cannot exec as it is (ENOEXEC, a script without #!) runs
 * through /bin/sh, as execvp does. The lookup is spawn-checks.ts's `checkCommand` again, done here
 * on the pool thread so that its stat calls do not run on the event loop.
 *
 * The spawn runs on a libuv pool thread: a vfork suspends the calling thread until the child execs,
 * which on a loaded machine is milliseconds of waiting for a core, and the event loop must not
 * wait. The promise gives the parent's ends, close-on-exec; -1 for an output sent to /dev/null.
 * `onExit(code, signal)` is called once on the JS thread when the process ended, after the promise
 * settled, from a small thread that waits for it (waitpid on this pid only: libuv and node-pty reap
 * their own children by pid, so nobody takes another's exit status). On failure the promise
 * rejects with an Error whose `code` is the errno name (ENOENT, EACCES, E2BIG, EAGAIN, ...), and
 * nothing is left open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>

/*
 * Linux with glibc 2.34+ (posix_spawn_file_actions_addchdir_np and _addclosefrom_np). Elsewhere
 * the module builds empty, and the host spawns through child_process.
 */
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define HAVE_VFORK_SPAWN 1

/* What glibc's execvp searches when the environment has no PATH. */
#define DEFAULT_PATH "/bin:/usr/bin"
/* The waiting thread does nothing but waitpid: a small stack is plenty. */
#define WAITER_STACK_BYTES (64 * 1024)

typedef struct {
  pid_t pid;
  int status;
  napi_threadsafe_function on_exit;
} waiter_t;

static const char *errno_name(int error) {
  switch (error) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case E2BIG: return "E2BIG";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENOTDIR: return "ENOTDIR";
    case ENOEXEC: return "ENOEXEC";
    case ELOOP: return "ELOOP";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ETXTBSY: return "ETXTBSY";
    case EISDIR: return "EISDIR";
    default: return "ESPAWN";
  }
}

/* An Error "what: strerror" whose `code` is the errno name. */
static napi_value errno_error(napi_env env, int error, const char *what) {
  char text[256];
  snprintf(text, sizeof text, "%s: %s", what, strerror(error));
  napi_value code, message, result;
  napi_create_string_utf8(env, errno_name(error), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &message);
  napi_create_error(env, code, message, &result);
  return result;
}

static napi_value throw_errno(napi_env env, int error, const char *what) {
  napi_throw(env, errno_error(env, error, what));
  return NULL;
}

/* A JS string as a malloc'd UTF-8 C string; NULL when not a string, with a NUL inside, or no memory. */
static char *c_string(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *text = malloc(length + 1);
  if (text == NULL) return NULL;
  napi_get_value_string_utf8(env, value, text, length + 1, &length);
  if (strlen(text) != length) {
    /* An embedded NUL would silently cut the string: refuse it (the host checks first). */
    free(text);
    return NULL;
  }
  return text;
}

static void free_strings(char **strings) {
  if (strings == NULL) return;
  for (char **item = strings; *item != NULL; item++) free(*item);
  free(strings);
}

/* A JS array of strings as a NULL-terminated array of C strings. */
static char **c_strings(napi_env env, napi_value array) {
  uint32_t count;
  if (napi_get_array_length(env, array, &count) != napi_ok) return NULL;
  char **strings = calloc((size_t)count + 1, sizeof(char *));
  if (strings == NULL) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || (strings[i] = c_string(env, item)) == NULL) {
      free_strings(strings);
      return NULL;
    }
  }
  return strings;
}

static bool is_executable_file(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 && S_ISREG(info.st_mode) && access(path, X_OK) == 0;
}

/*
 * Where execvp in the child would find `file`: written to `out` (PATH_MAX bytes). A name with a
 * slash is taken as it is. Returns 0, ENOENT when no entry has it, EACCES when one has it but it
 * is not an executable file (execvp reports EACCES then too).
 */
static int find_command(const char *file, char *const envp[], const char *cwd, char *out) {
  if (strchr(file, '/') != NULL) {
    if (strlen(file) >= PATH_MAX) return ENAMETOOLONG;
    strcpy(out, file);
    return 0;
  }
  const char *path = DEFAULT_PATH;
  for (char *const *entry = envp; *entry != NULL; entry++) {
    if (strncmp(*entry, "PATH=", 5) == 0) path = *entry + 5;
  }
  bool denied = false;
  const char *dir = path;
  for (;;) {
    const char *end = strchrnul(dir, ':');
    size_t dir_length = (size_t)(end - dir);
    /* An empty entry is the current directory: the child's, which is cwd. */
    const char *base = dir_length == 0 ? cwd : dir;
    size_t base_length = dir_length == 0 ? strlen(cwd) : dir_length;
    /* A relative entry is relative to the child's cwd as well. */
    bool relative = base[0] != '/';
    int written = relative
        ? snprintf(out, PATH_MAX, "%s/%.*s/%s", cwd, (int)base_length, base, file)
        : snprintf(out, PATH_MAX, "%.*s/%s", (int)base_length, base, file);
    if (written > 0 && written < PATH_MAX) {
      if (is_executable_file(out)) return 0;
      if (access(out, F_OK) == 0) denied = true;
    }
    if (*end == '\0') break;
    dir = end + 1;
  }
  return denied ? EACCES : ENOENT;
}

static void *wait_for_exit(void *data) {
  waiter_t *waiter = data;
  int status = 0;
  while (waitpid(waiter->pid, &status, 0) == -1 && errno == EINTR) {
  }
  waiter->status = status;
  napi_threadsafe_function on_exit = waiter->on_exit;
  /* On success call_exit frees the waiter; when the environment is closing nobody will. */
  if (napi_call_threadsafe_function(on_exit, waiter, napi_tsfn_blocking) != napi_ok) free(waiter);
  napi_release_threadsafe_function(on_exit, napi_tsfn_release);
  return NULL;
}

static void call_exit(napi_env env, napi_value callback, void *context, void *data) {
  (void)context;
  waiter_t *waiter = data;
  int status = waiter->status;
  free(waiter);
  if (env == NULL || callback == NULL) return;
  napi_value args[2], receiver;
  if (WIFEXITED(status)) {
    napi_create_int32(env, WEXITSTATUS(status), &args[0]);
    napi_get_null(env, &args[1]);
  } else {
    napi_get_null(env, &args[0]);
    napi_create_int32(env, WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL, &args[1]);
  }
  napi_get_undefined(env, &receiver);
  napi_call_function(env, receiver, callback, 2, args, NULL);
}

/*
 * A pipe, both ends close-on-exec: [0] is read, [1] written. For stdin the child gets [0], for an
 * output [1]; the host's end is the other one.
 */
static int stdio_pipe(int ends[2]) {
  return pipe2(ends, O_CLOEXEC);
}

static void close_pipe(int ends[2]) {
  if (ends[0] >= 0) close(ends[0]);
  if (ends[1] >= 0) close(ends[1]);
  ends[0] = ends[1] = -1;
}

/* stdin always a pipe; an output one or /dev/null. Returns 0 or an errno. */
static int spawn_child(pid_t *pid, const char *command, char *const argv[], char *const envp[], const char *cwd,
                       int in[2], int out[2], int err[2]) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int error = posix_spawn_file_actions_init(&actions);
  if (error != 0) return error;
  error = posix_spawnattr_init(&attributes);
  if (error != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return error;
  }
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  /* dup2 clears close-on-exec on the target; the pipes' own descriptors close at the exec. */
  if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  if (error == 0) {
    error = out[1] >= 0 ? posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO)
                        : posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  }
  if (error == 0) {
    error = err[1] >= 0 ? posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO)
                        : posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  }
  /*
   * Nothing but 0, 1 and 2 reaches the child, whatever lacks close-on-exec: this runs on a pool
   * thread, beside the JS thread, which may hold a terminal master node-pty just opened without it.
   */
  if (error == 0) error = posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  if (error == 0) error = posix_spawn_file_actions_addchdir_np(&actions, cwd);
  if (error == 0) error = posix_spawnattr_setsigdefault(&attributes, &all);
  if (error == 0) error = posix_spawnattr_setsigmask(&attributes, &none);
  if (error == 0) {
    error = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  }
  if (error == 0) error = posix_spawn(pid, command, &actions, &attributes, argv, envp);
  if (error == ENOEXEC) {
    /* As execvp: a file without a known format is a shell script. */
    size_t count = 0;
    while (argv[count] != NULL) count++;
    char **shell_argv = calloc(count + 2, sizeof(char *));
    if (shell_argv == NULL) {
      error = ENOMEM;
    } else {
      shell_argv[0] = "/bin/sh";
      shell_argv[1] = (char *)command;
      for (size_t i = 1; i < count; i++) shell_argv[i + 1] = argv[i];
      error = posix_spawn(pid, "/bin/sh", &actions, &attributes, shell_argv, envp);
      free(shell_argv);
    }
  }
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return error;
}

/* One spawn, from the JS call through the pool thread that spawns to the promise's settlement. */
typedef struct {
  char *file;
  char *cwd;
  char **argv;
  char **envp;
  bool pipe_stdout;
  bool pipe_stderr;
  /* Set on the pool thread: 0 and the child, or the errno and what failed. */
  int error;
  const char *failed;
  pid_t pid;
  /* The host's ends of stdin, stdout and stderr; -1 for none. */
  int host_fds[3];
  napi_threadsafe_function on_exit;
  napi_deferred deferred;
  napi_async_work work;
} spawn_request_t;

static void free_request(spawn_request_t *request) {
  free(request->file);
  free(request->cwd);
  free_strings(request->argv);
  free_strings(request->envp);
  free(request);
}

/* On a libuv pool thread: the vfork suspends this thread, not the event loop, until the exec. */
static void spawn_on_pool_thread(napi_env env, void *data) {
  (void)env;
  spawn_request_t *request = data;
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  char command[PATH_MAX];
  request->error = find_command(request->file, request->envp, request->cwd, command);
  if (request->error != 0) {
    request->failed = request->file;
    return;
  }
  /*
   * Pipes, as a shell, sshd or `docker exec` give: `> /dev/stdout` works (open() of a socket's
   * /proc/self/fd entry fails with ENXIO), and a writer's small writes are cheaper than on the
   * socket pair libuv makes (one buffer per write there).
   */
  if (stdio_pipe(in) == -1 || (request->pipe_stdout && stdio_pipe(out) == -1) ||
      (request->pipe_stderr && stdio_pipe(err) == -1)) {
    request->error = errno;
    request->failed = "pipe2";
  } else {
    request->error = spawn_child(&request->pid, command, request->argv, request->envp, request->cwd, in, out, err);
    request->failed = request->file;
  }
  /* The child's ends are the child's now (or nobody's). */
  if (in[0] >= 0) close(in[0]);
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  in[0] = out[1] = err[1] = -1;
  if (request->error != 0) {
    close_pipe(in);
    close_pipe(out);
    close_pipe(err);
    return;
  }
  request->host_fds[0] = in[1];
  request->host_fds[1] = out[0];
  request->host_fds[2] = err[0];
}

/*
 * Back on the JS thread. The waiting thread starts only now, so the exit is always reported after
 * the promise settled (and the microtasks that follow it ran).
 */
static void spawn_complete(napi_env env, napi_status status, void *data) {
  spawn_request_t *request = data;
  if (status == napi_ok && request->error == 0) {
    waiter_t *waiter = calloc(1, sizeof *waiter);
    pthread_attr_t attributes;
    pthread_t thread;
    bool started = false;
    if (waiter != NULL) {
      waiter->pid = request->pid;
      waiter->on_exit = request->on_exit;
      pthread_attr_init(&attributes);
      pthread_attr_setstacksize(&attributes, WAITER_STACK_BYTES);
      pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
      started = pthread_create(&thread, &attributes, wait_for_exit, waiter) == 0;
      pthread_attr_destroy(&attributes);
    }
    if (!started) {
      /* Nobody could report its end: it must not run on unseen. */
      free(waiter);
      kill(-request->pid, SIGKILL);
      kill(request->pid, SIGKILL);
      while (waitpid(request->pid, NULL, 0) == -1 && errno == EINTR) {
      }
      for (int i = 0; i < 3; i++) {
        if (request->host_fds[i] >= 0) close(request->host_fds[i]);
      }
      request->error = EAGAIN;
      request->failed = "cannot watch the started process";
    }
  }
  if (status != napi_ok || request->error != 0) {
    napi_release_threadsafe_function(request->on_exit, napi_tsfn_abort);
    int error = status != napi_ok ? ECANCELED : request->error;
    napi_reject_deferred(env, request->deferred, errno_error(env, error, request->failed ? request->failed : "spawn"));
  } else {
    napi_value result, value;
    int values[4] = {request->pid, request->host_fds[0], request->host_fds[1], request->host_fds[2]};
    napi_create_array_with_length(env, 4, &result);
    for (uint32_t i = 0; i < 4; i++) {
      napi_create_int32(env, values[i], &value);
      napi_set_element(env, result, i, value);
    }
    napi_resolve_deferred(env, request->deferred, result);
  }
  napi_delete_async_work(env, request->work);
  free_request(request);
}

static napi_value spawn_process(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value args[7];
  if (napi_get_cb_info(env, info, &argc, args, NULL, NULL) != napi_ok || argc < 7) {
    napi_throw_type_error(env, NULL, "spawn(file, argv, envp, cwd, pipeStdout, pipeStderr, onExit) takes 7 arguments");
    return NULL;
  }
  spawn_request_t *request = calloc(1, sizeof *request);
  if (request == NULL) return throw_errno(env, ENOMEM, "spawn");
  request->host_fds[0] = request->host_fds[1] = request->host_fds[2] = -1;
  napi_valuetype callback_type;
  napi_typeof(env, args[6], &callback_type);
  if (napi_get_value_bool(env, args[4], &request->pipe_stdout) != napi_ok ||
      napi_get_value_bool(env, args[5], &request->pipe_stderr) != napi_ok || callback_type != napi_function) {
    free_request(request);
    napi_throw_type_error(env, NULL, "spawn: pipeStdout and pipeStderr are booleans, onExit a function");
    return NULL;
  }
  request->file = c_string(env, args[0]);
  request->cwd = c_string(env, args[3]);
  request->argv = c_strings(env, args[1]);
  request->envp = c_strings(env, args[2]);
  if (request->file == NULL || request->cwd == NULL || request->argv == NULL || request->envp == NULL ||
      request->argv[0] == NULL) {
    free_request(request);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) napi_throw_type_error(env, NULL, "spawn: file, cwd, argv and envp are strings without NUL, argv not empty");
    return NULL;
  }
  napi_value name, promise;
  napi_create_string_utf8(env, "procwire vfork-spawn", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, args[6], NULL, name, 0, 1, NULL, NULL, NULL, call_exit, &request->on_exit) !=
      napi_ok) {
    free_request(request);
    return throw_errno(env, EAGAIN, "spawn: cannot make the exit callback");
  }
  if (napi_create_promise(env, &request->deferred, &promise) != napi_ok ||
      napi_create_async_work(env, NULL, name, spawn_on_pool_thread, spawn_complete, request, &request->work) != napi_ok ||
      napi_queue_async_work(env, request->work) != napi_ok) {
    napi_release_threadsafe_function(request->on_exit, napi_tsfn_abort);
    free_request(request);
    return throw_errno(env, EAGAIN, "spawn: cannot queue the start");
  }
  return promise;
}

#endif /* HAVE_VFORK_SPAWN */

static napi_value init(napi_env env, napi_value exports) {
#ifdef HAVE_VFORK_SPAWN
  napi_value fn;
  if (napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, spawn_process, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "spawn", fn) != napi_ok) return NULL;
#endif
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
