#!/bin/sh
# devk-managed-hook: pre-push v1
#
# Installed by `devk hook install`: stops a push that would publish AWS keys, private keys or
# other secrets. `devk hook uninstall` removes it and puts back the hook that was here before.
# Push once without the check: git push --no-verify
#
# devk is looked for in $DEVK_HOOK_BIN, then on PATH, then where it was at install time.

devk_installed=@DEVK_BIN@

if [ -n "${DEVK_HOOK_BIN:-}" ]; then
	devk=$DEVK_HOOK_BIN
elif command -v devk >/dev/null 2>&1; then
	devk=$(command -v devk)
else
	devk=$devk_installed
fi
if [ ! -x "$devk" ]; then
	cat >&2 <<EOF
devk pre-push hook: cannot run devk (looked for \$DEVK_HOOK_BIN, \`devk\` on PATH, and
$devk_installed), so this push is stopped: the hook fails closed rather than letting
secrets through unchecked.
  Fix:             install devk again or put it on PATH (or set DEVK_HOOK_BIN=/path/to/devk)
  Remove the hook: devk hook uninstall (or delete $0)
  Push once without the check: git push --no-verify
EOF
	exit 1
fi

# The pre-push hook that was here before devk's runs first; its failure stops the push.
chained="$(dirname "$0")/pre-push.devk-chained"
if [ -x "$chained" ]; then
	input=$(cat; echo .)
	input=${input%.}
	printf '%s' "$input" | "$chained" "$@" || exit $?
	printf '%s' "$input" | "$devk" hook pre-push "$@"
	exit $?
fi
exec "$devk" hook pre-push "$@"
