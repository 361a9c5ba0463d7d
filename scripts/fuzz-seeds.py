#!/usr/bin/env python3
"""Seeds the fuzz corpora from devk's own test fixtures. Usage: fuzz-seeds.py CORPUS_DIR

Most of devk's fixtures are string literals in its tests (kubeconfigs, devk.toml layers, image
references, .dockerignore files, lines with secrets), so they are read out of the test sources;
whole fixture files are taken as they are, and the git object store targets get a small
repository made with git here (loose objects, a pack with offset deltas and one with reference
deltas). Seeds are written as seed-<sha1 of the content>, so running this again adds nothing
twice; the corpus directories are what `cargo fuzz run` grows (fuzz/corpus, not committed)."""
import glob
import hashlib
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECTION = b"\n%%devk-fuzz%%\n"  # fuzz/src/lib.rs: SECTION
MAX_SEED = 64 * 1024

RAW = re.compile(r'(?<![A-Za-z0-9_])b?r(#*)"(.*?)"\1', re.S)
PLAIN = re.compile(r'(?<![A-Za-z0-9_\'])b?"((?:[^"\\]|\\.)*)"', re.S)


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = s[i + 1] if i + 1 < len(s) else ""
        i += 2
        if n == "n":
            out.append("\n")
        elif n == "t":
            out.append("\t")
        elif n == "r":
            out.append("\r")
        elif n == "0":
            out.append("\0")
        elif n in "\\\"'":
            out.append(n)
        elif n == "x":
            out.append(chr(int(s[i:i + 2], 16)))
            i += 2
        elif n == "u":
            end = s.index("}", i)
            out.append(chr(int(s[i + 1:end], 16)))
            i = end + 1
        elif n == "\n":  # a line continuation skips the next line's indentation
            while i < len(s) and s[i] in " \t\n":
                i += 1
        else:
            out.append("\\" + n)
    return "".join(out)


def literals(patterns):
    """Every string literal (plain and raw) in the Rust files matching `patterns`."""
    found = []
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern))):
            text = open(path, encoding="utf-8").read()
            for m in RAW.finditer(text):
                found.append(m.group(2))
            for m in PLAIN.finditer(RAW.sub('""', text)):
                try:
                    found.append(unescape(m.group(1)))
                except (ValueError, IndexError):
                    pass
    return found


class Corpus:
    def __init__(self, base, target):
        self.dir = os.path.join(base, target)
        os.makedirs(self.dir, exist_ok=True)
        self.count = 0

    def add(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        if not data or len(data) > MAX_SEED:
            return
        name = "seed-" + hashlib.sha1(data).hexdigest()
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(data)
        self.count += 1


def git(repo, *args, env=None):
    full = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
                GIT_AUTHOR_NAME="seed", GIT_AUTHOR_EMAIL="seed@devk.invalid",
                GIT_COMMITTER_NAME="seed", GIT_COMMITTER_EMAIL="seed@devk.invalid",
                GIT_AUTHOR_DATE="2024-01-01T00:00:00Z", GIT_COMMITTER_DATE="2024-01-01T00:00:00Z")
    full.update(env or {})
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, env=full).stdout


def seed_repo(tmp):
    """A small repository: three commits of files that change a little (so packs get deltas)."""
    repo = os.path.join(tmp, "repo")
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    lines = [f"line {i}: the quick brown fox jumps over the lazy dog\n" for i in range(40)]
    for n in range(3):
        os.makedirs(os.path.join(repo, "src"), exist_ok=True)
        with open(os.path.join(repo, "src", "app.txt"), "w") as f:
            f.writelines(lines[: 30 + n * 5])
        with open(os.path.join(repo, f"notes-{n}.md"), "w") as f:
            f.write(f"# notes {n}\n" * (n + 1))
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", f"commit {n}")
    git(repo, "tag", "-a", "-m", "a tag", "v1")
    return repo


def loose_objects(repo):
    objects = os.path.join(repo, ".git", "objects")
    return sorted(p for p in glob.glob(os.path.join(objects, "??", "*")))


def pack_entries(pack_path):
    """(offset, bytes up to the next entry) for every entry of a pack, from git verify-pack."""
    idx = pack_path[:-5] + ".idx"
    out = subprocess.run(["git", "verify-pack", "-v", idx], check=True, capture_output=True).stdout
    offsets = []
    for line in out.decode().splitlines():
        parts = line.split()
        if len(parts) >= 5 and len(parts[0]) == 40:
            offsets.append(int(parts[4]))
    offsets.sort()
    data = open(pack_path, "rb").read()
    ends = offsets[1:] + [len(data) - 20]
    return [(o, data[o:e]) for o, e in zip(offsets, ends)]


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def delta(base, result_ops):
    """A git delta: result_ops are ("copy", offset, length) or ("insert", bytes)."""
    body, size = bytearray(), 0
    for op in result_ops:
        if op[0] == "insert":
            body += bytes([len(op[1])]) + op[1]
            size += len(op[1])
        else:
            _, off, length = op
            cmd, args = 0x80, bytearray()
            for i in range(4):
                if (off >> (8 * i)) & 0xFF:
                    cmd |= 1 << i
                    args.append((off >> (8 * i)) & 0xFF)
            for i in range(3):
                if (length >> (8 * i)) & 0xFF:
                    cmd |= 0x10 << i
                    args.append((length >> (8 * i)) & 0xFF)
            body += bytes([cmd]) + args
            size += length
    return varint(len(base)) + varint(size) + bytes(body)


def gitobject_seeds(base):
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:
        print("fuzz-seeds: git not found; the git object store targets start unseeded", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory(prefix="devk-fuzz-seeds-") as tmp:
        repo = seed_repo(tmp)
        tree_commit = Corpus(base, "gitobjects_tree_commit")
        for rev in ["HEAD^{tree}", "HEAD~1^{tree}", "HEAD:src"]:
            tree_commit.add(git(repo, "cat-file", "tree", rev))
        for rev in ["HEAD", "HEAD~2"]:
            tree_commit.add(git(repo, "cat-file", "commit", rev))
        store = Corpus(base, "gitobjects_store")
        # Read before repacking, which removes them.
        loose = [open(path, "rb").read() for path in loose_objects(repo)]
        for data in loose[:6]:
            store.add(bytes([0]) + SECTION + SECTION + data)
        idx_c, entry_c = Corpus(base, "gitobjects_idx"), Corpus(base, "gitobjects_pack_entry")
        # Offset deltas (git's default), then reference deltas.
        for n, cfg in enumerate(["repack.usedeltabaseoffset=true", "repack.usedeltabaseoffset=false"]):
            git(repo, "-c", cfg, "repack", "-adfq", "--window=10")
            for pack in glob.glob(os.path.join(repo, ".git", "objects", "pack", "*.pack")):
                idx = open(pack[:-5] + ".idx", "rb").read()
                data = open(pack, "rb").read()
                idx_c.add(idx)
                for mode in (0, 1):
                    extra = loose[0] if loose and n == 0 else b""
                    store.add(bytes([mode]) + idx + SECTION + data + SECTION + extra)
                for offset, entry in pack_entries(pack)[:12]:
                    entry_c.add(offset.to_bytes(8, "little") + entry)
    deltas = Corpus(base, "gitobjects_delta")
    b = b"the quick brown fox jumps over the lazy dog\n" * 4
    for ops in ([("copy", 0, 20), ("insert", b"cat"), ("copy", 23, 40)],
                [("insert", b"new text only")],
                [("copy", 4, len(b) - 4)]):
        deltas.add(bytes([len(b)]) + b + delta(b, ops))


def text_seeds(base):
    kc = Corpus(base, "kubeconfig_roundtrip")
    for s in literals(["src/kubeconfig/*.rs", "tests/it/cli_contexts.rs", "tests/it/kubeconfig_kubectl.rs",
                       "tests/it/support.rs", "crates/devk-sandbox/src/*.rs"]):
        if ":" in s and "\n" in s:
            kc.add(s)
            kc.add("#demo-prod\n" + s)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "kubeconfig")
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen-kubeconfig.py"), "3", out], check=True)
        kc.add(open(out, encoding="utf-8").read())

    cfg = Corpus(base, "config_layers")
    default = open(os.path.join(ROOT, "assets", "default-config.toml"), encoding="utf-8").read()
    cfg.add(default)
    tomlish = [s for s in literals(["src/config/*.rs", "tests/it/config_layers.rs", "src/cli/demo_project.rs"])
               if "=" in s or s.lstrip().startswith("[")]
    for s in tomlish:
        cfg.add(s)
        cfg.add(b"" + SECTION + s.encode())  # as the user's file
    cfg.add(b"[contexts]\nprotected = [\"*uat*\"]\n" + SECTION + b"" + SECTION + b"DEVK_CONTEXTS_PROTECTED=*live*\n"
            + SECTION + b"contexts.protected=*x*\n")

    refs = Corpus(base, "image_ref")
    for s in literals(["src/policy/*.rs", "src/images/*.rs", "src/cli/policy.rs", "tests/it/policy_cli.rs",
                       "tests/it/images_*.rs"]):
        if 0 < len(s) < 300 and not any(c.isspace() for c in s) and re.search(r"[a-z0-9]", s):
            refs.add(s)

    ts = Corpus(base, "log_timestamp")
    for s in literals(["src/logs/*.rs", "src/cluster/*.rs", "crates/devk-sandbox/src/*.rs", "tests/it/logs_*.rs"]):
        if re.match(r"\d{4}-\d\d-\d\d", s):
            ts.add(s)

    di = Corpus(base, "dockerignore")
    for s in literals(["src/images/dockerignore*.rs", "src/images/context*.rs", "tests/it/images_build.rs"]):
        if s.strip():
            di.add(s)

    rules = Corpus(base, "scanner_rules")
    for s in literals(["src/githook/*.rs", "tests/it/githook*.rs", "src/encoding.rs"]):
        if len(s) >= 4:
            rules.add(s)
    custom = Corpus(base, "scanner_custom_pattern")
    patterns = ["internal-token-[0-9a-f]{32}", r"(?i)password\s*=\s*(\S+)", r"^export [A-Z_]+=", r"\Aapi_key="]
    for s in literals(["src/githook/rules.rs", "src/config/*.rs"]):
        if "\\" in s and "\n" not in s and len(s) < 200:
            patterns.append(s)
    for p in patterns:
        custom.add(p.encode() + SECTION + b"x = 1\napi_key=abc\nexport TOKEN=internal-token-" + b"0" * 32 + b"\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    base = sys.argv[1]
    text_seeds(base)
    gitobject_seeds(base)
    for d in sorted(os.listdir(base)):
        print(f"fuzz-seeds: {d}: {len(os.listdir(os.path.join(base, d)))} inputs")


if __name__ == "__main__":
    main()
