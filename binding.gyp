# The frame I/O addon (src/io/native). `npm ci` builds it through npm's
# default install script for a package with a binding.gyp (node-gyp rebuild);
# rebuild by hand with `npm rebuild` or `npx node-gyp rebuild`.
{
  "targets": [
    {
      "target_name": "dxio",
      "conditions": [
        ["OS=='linux'", {
          "sources": [
            "src/io/native/dxio.c",
            "src/io/native/handle.c",
            "src/io/native/packet.c",
            "src/io/native/tap.c",
            "src/io/native/vnet.c",
            "src/io/native/rxtx.c",
            "src/io/native/fastpath-io.c",
            "src/io/native/info.c",
            "src/io/native/sys.c",
            "src/io/native/tcp-md5.c",
            "src/io/native/gcm.c",
            "src/io/native/fastpath.c",
            "src/io/native/lag.c"
          ],
          "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"]
        }, {
          "sources": ["src/io/native/stub.c"]
        }]
      ]
    }
  ]
}
