#!/usr/bin/env bash
# Installs what dxlab needs on a Debian machine (run as root or with sudo):
# Debian packages for the tests and labs, then the npm dependencies, which
# also builds dist/ (the package's prepare script).
set -euo pipefail
cd "$(dirname "$0")/.."

# tshark reads every capture dxlab writes in the tests; iperf3 measures the link;
# ping crosses it; bird2 is the alternative BGP speaker (`speaker: bird`);
# awscli (AWS CLI v2) drives `dxlab api serve` in the tests and the README;
# debootstrap builds the linux-peer guest image and qemu-system-x86 boots it
# (`dxlab image build linux-peer`); docker.io runs the docker runtime's
# nodes on a private engine (`dxlab docker start DIR`), docker-compose the
# Compose file; chromium runs the web view's browser tests headless
# (puppeteer-core drives it; it never downloads a browser of its own);
# librsvg2-bin's rsvg-convert makes `dxlab graph --format png`; tini reaps
# the test run's orphans at once in CI (.ci/run).
APT_PACKAGES=(tshark iperf3 iputils-ping bird2 awscli debootstrap qemu-system-x86 docker.io docker-compose chromium librsvg2-bin tini)
# libipsec-mb-dev (intel-ipsec-mb, x86-64 only): its header makes `npm ci`
# build the addon's second AES-GCM engine (src/io/native/gcm-ipsecmb.c),
# which loads the library at run time and is what `crypto: native` runs
# where the CPU has AES-NI.
if [ "$(dpkg --print-architecture)" = amd64 ]; then APT_PACKAGES+=(libipsec-mb-dev); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  # Non-root capture is not needed: answer wireshark-common's question up front.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
