#!/usr/bin/env bash
# Makes a throwaway certificate authority and a server certificate for 127.0.0.1 and
# localhost in DIR (default build/run/tls), for the local demo and the TLS tests.
# An optional second argument replaces the names (e.g. "DNS:other.example" for a
# test that needs a certificate that does not match the host).
# Real deployments use the municipality's own CA (kiosk.toml [sync] ca_file).
set -euo pipefail
dir=${1:-build/run/tls}
names=${2:-IP:127.0.0.1,IP:::1,DNS:localhost}
mkdir -p "$dir"
cd "$dir"
if [[ -f ca.pem && -f server.pem && -f server.key ]]; then exit 0; fi
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
  -subj "/CN=tillit-kiosk development CA" -keyout ca.key -out ca.pem \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$names" > server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 \
  -out server.pem -extfile server.ext 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
