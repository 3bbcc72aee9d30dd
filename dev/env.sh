# Sourced by the Makefile and dev/stack.sh: exports the demo values of dev/local.env for every variable the caller's
# environment does not set already, so `RAPPORT_DB_HOST=db.example make run` wins over the file.
_rapport_env_file="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/local.env"
while IFS= read -r _line || [ -n "$_line" ]; do
  case "$_line" in '#'* | '') continue ;; esac
  _key="${_line%%=*}"
  [[ "$_key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
  if [ -z "${!_key+x}" ]; then export "$_key=${_line#*=}"; fi
done <"$_rapport_env_file"
unset _rapport_env_file _line _key
