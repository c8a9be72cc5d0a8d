# local-ui.sh PORT — as root: does Local UI answer TLS on its port (from the device itself, so it works through
# a jump host too), with which certificate; which OS users can sign in to it (Local UI accepts any OS user with
# a password); and, when it does not answer, the agent's last journal lines to read.
section tls
if command -v openssl >/dev/null 2>&1; then
  cert=$(echo | timeout 10 openssl s_client -connect "127.0.0.1:$1" 2>/dev/null | openssl x509 -noout -fingerprint -sha256 -subject 2>/dev/null)
  if [ -n "$cert" ]; then printf '%s\n' "$cert"; else echo no-answer; fi
else
  echo no-openssl
fi
section users
awk -F: '$2 ~ /^\$/ { print $1 }' /etc/shadow 2>/dev/null | head -n 20
section journal
journalctl -u spectro-stylus-agent -n 20 --no-pager 2>&1 | tail -n 20
section end
