{
  "targets": [
    {
      "target_name": "close_on_exec",
      "sources": ["native/close-on-exec.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    },
    {
      "target_name": "vfork_spawn",
      "sources": ["native/vfork-spawn.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"],
      "libraries": ["-lpthread"]
    }
  ]
}
