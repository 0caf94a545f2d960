# The frame I/O addon (src/io/native). `npm ci` builds it through npm's
# default install script for a package with a binding.gyp (node-gyp rebuild);
# rebuild by hand with `npm rebuild` or `npx node-gyp rebuild`.
#
# The intel-ipsec-mb GCM engine (gcm-ipsecmb.c) compiles in when the C
# compiler finds intel-ipsec-mb.h (Debian/Ubuntu: libipsec-mb-dev, which
# scripts/setup.sh installs); the library itself is dlopen'ed at run time, so
# nothing is added to the link line but libdl, and the addon loads without it.
# DXLAB_IPSEC_MB=0 at build time leaves the engine out.
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
            "src/io/native/gcm-ipsecmb.c",
            "src/io/native/fastpath.c",
            "src/io/native/lag.c"
          ],
          "cflags_c": ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
          "libraries": ["-ldl", "-lpthread"],
          "conditions": [
            ["<!(sh -c 'test \"$DXLAB_IPSEC_MB\" != 0 && echo \"#include <intel-ipsec-mb.h>\" | ${CC:-cc} -E -x c - >/dev/null 2>&1 && echo 1 || echo 0')==1", {
              "defines": ["DXIO_HAVE_IPSEC_MB"]
            }]
          ]
        }, {
          "sources": ["src/io/native/stub.c"]
        }]
      ]
    }
  ]
}
