#!/bin/sh
# devk-managed-hook: pre-commit v1
#
# Installed by `devk hook install --pre-commit`: stops a commit whose staged changes add AWS
# keys, private keys or other secrets. `devk hook uninstall --pre-commit` removes it and puts
# back the hook that was here before. Commit once without the check: git commit --no-verify
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
	cat >&2 <<EOF2
devk pre-commit hook: cannot run devk (looked for \$DEVK_HOOK_BIN, \`devk\` on PATH, and
$devk_installed), so this commit is stopped: the hook fails closed rather than letting
secrets through unchecked.
  Fix:             install devk again or put it on PATH (or set DEVK_HOOK_BIN=/path/to/devk)
  Remove the hook: devk hook uninstall --pre-commit (or delete $0)
  Commit once without the check: git commit --no-verify
EOF2
	exit 1
fi

# The pre-commit hook that was here before devk's runs first; its failure stops the commit.
chained="$(dirname "$0")/pre-commit.devk-chained"
if [ -x "$chained" ]; then
	"$chained" "$@" || exit $?
fi
exec "$devk" hook pre-commit
