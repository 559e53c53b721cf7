{
  "targets": [
    {
      "target_name": "close_on_exec",
      "sources": ["native/close-on-exec.c"],
      "cflags": ["-Wall", "-Wextra", "-O2"]
    }
  ]
}
