#!/usr/bin/env python3
"""Runs a CI recipe (examples/ci/github-actions.yml or examples/ci/gitlab-ci.yml) the way its CI
service would, against orgctl's emulator, and checks the product's promise end to end.

  run_recipe.py RECIPE --emulator URL (--bin-archive-dir DIR | --orgctl-bin PATH)
                [--ci github|gitlab] [--events pull_request,push,schedule] [--no-lint]
                [--work DIR] [--keep]

The emulator at URL must hold the seeded brownfield organization (`emulator/seed.py --endpoint
URL demo --legacy`); the runner reads its accounts and never starts or seeds it.
--bin-archive-dir holds the release archive orgctl-v<version>-x86_64-unknown-linux-musl.tar.gz and
its .sha256 (scripts/dist.sh); with --orgctl-bin (and no archive in the directory) the runner
makes them with `scripts/dist.sh --bin PATH --target x86_64-unknown-linux-musl --out DIR`.
Exit 0 when every check passed; 1 with the reason otherwise. The runner's parts: gh_actions.py
(GitHub Actions), gitlab_ci.py (GitLab CI), recipe_common.py (the stand-ins, the emulator, shell).

Three events, in this order, each a run of the whole file:
  pull_request / merge_request_event  (GitLab, first: a Region typo in org.yaml; the plan job
      must fail before any AWS call, with the finding on its line in the code-quality report,
      and post no note.) org.yaml changed; the plan job must succeed and post the
      plan's Markdown (the sticky comment / the merge request note; GitLab: twice, the second
      edits the note), make no AWS write, and keep plan.json as an artifact
  push to main  first without the opt-in: the example's plan replaces GuardDuty's administrator,
      so the plan job on main must stop it, with no apply job and no AWS write. Then with
      "[orgctl allow-destroy]" in the merge commit's message: the plan job on main, then one
      apply job per stage of its plan.json in the plan's order, each with its own environment and
      role; every write a stage's job makes (the emulator's call log) comes from that stage's
      account; afterwards `orgctl plan --detailed-exitcode` exits 0. Then once more: nothing to
      apply (GitHub: the matrix is skipped; GitLab: the child pipeline's one `no changes` job)
  schedule  the drift job passes; after a change by hand (an OU's tag), it fails
(--events pull_request,push,schedule picks among them.)

Run as written, with bash: every `run:` (GitHub: `bash --noprofile --norc -eo pipefail FILE`, after
`${{ }}` substitution) and every before_script/script line (GitLab: one bash per job, `set -eo
pipefail`, each line in turn), with the files GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and
GITHUB_STEP_SUMMARY honoured. The jobs run on this machine, not in the recipe's image: bash,
curl, jq, sha256sum and tar come from here (and `apk add` is never reached). No orgctl may be on
PATH: each job uses the one its install step downloads (from a 127.0.0.1 server standing in for
the release downloads, ORGCTL_RELEASES) and checks with sha256sum.

Emulated, not run: the CI service itself (job order from `needs` and stages, `if:` / `rules:`,
the matrix, the `${{ }}` expressions of the forms the recipes use: a form it does not know fails
the run), and these actions:
  actions/checkout                  copies the workspace fixture (examples/org.yaml, examples/policies)
  aws-actions/configure-aws-credentials  STS AssumeRole on the emulator into role-to-assume (the
                                    management account's role: the emulator's own testing/testing),
                                    exported as the action does; GitHub's OIDC exchange itself is not
  actions/upload-artifact, actions/download-artifact  a local artifact store
  marocchino/sticky-pull-request-comment  records the body (checked against `orgctl show`)
Any other `uses:` fails the run. GitLab's OIDC is not emulated: each id_tokens variable holds a
dummy token and the AWS SDK in orgctl calls AssumeRoleWithWebIdentity on the emulator itself (moto
answers it with credentials of the role's account). The GitLab API (merge request notes) is a
127.0.0.1 stand-in at CI_API_V4_URL.

Variables the recipes may use, and nothing else (an unknown one fails the run):
  ORGCTL_PLAN_ROLE  arn:aws:iam::<management>:role/OrganizationAccountAccessRole
  ORGCTL_ROLES      {"<account name>": "arn:aws:iam::<id>:role/OrganizationAccountAccessRole", ...}
                    for every account of the seeded organization, the management account included
  ORGCTL_RELEASES   http://127.0.0.1:PORT/releases
  ORGCTL_GITLAB_TOKEN  (GitLab) the token the note API stand-in accepts
Every job gets AWS_ENDPOINT_URL (the emulator), CI=true, empty AWS config files, and
ORGCTL_LOCK_SETTLE_MS=100 (the lock's settle time: the emulator is consistent at once).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from gh_actions import GitHub
from gitlab_ci import GitLab
from recipe_common import ROOT, TARGET, Fail, Org, Runner, Stubs, check, log, version


# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("recipe")
    ap.add_argument("--emulator", required=True, help="the emulator's URL (seeded: seed.py demo --legacy)")
    ap.add_argument("--bin-archive-dir", help="where the release archive and its .sha256 are (made here with --orgctl-bin if missing)")
    ap.add_argument("--orgctl-bin", help="the binary to package with scripts/dist.sh when the archive is missing")
    ap.add_argument("--ci", choices=["github", "gitlab"], help="default: from the file (jobs: + on: is GitHub)")
    ap.add_argument("--events", default="pull_request,push,schedule", help="which runs, in order (pull_request is GitLab's merge_request_event)")
    ap.add_argument("--no-lint", action="store_true", help="skip check-jsonschema")
    ap.add_argument("--work", help="the working directory (default: a temporary one, removed unless --keep)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.events = [e.strip() for e in args.events.split(",") if e.strip()]
    # This process's own AWS calls (boto3) use explicit test credentials; nothing of the
    # caller's AWS setup (a profile, keys, a config file) may reach them or the jobs.
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[k]
    os.environ.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="orgctl-recipe-"))
    work.mkdir(parents=True, exist_ok=True)
    if not args.bin_archive_dir:
        args.bin_archive_dir = str(work / "dist")
    archive = Path(args.bin_archive_dir) / f"orgctl-v{version()}-{TARGET}.tar.gz"
    stubs = None
    try:
        if not archive.exists():
            check(args.orgctl_bin, f"no {archive}: make it with scripts/dist.sh, or pass --orgctl-bin")
            subprocess.run([str(ROOT / "scripts/dist.sh"), "--bin", str(Path(args.orgctl_bin).resolve()), "--target", TARGET, "--out", str(Path(args.bin_archive_dir).resolve())], check=True, stdout=subprocess.DEVNULL)
        check(Path(str(archive) + ".sha256").exists(), f"no {archive}.sha256")
        org = Org(args.emulator)
        stubs = Stubs(args.bin_archive_dir, "glpat-dummy-orgctl")
        runner = Runner(args, org, stubs, work)
        text = Path(args.recipe).read_text()
        kind = args.ci or ("github" if re.search(r"^jobs:", text, re.M) and re.search(r"^on:", text, re.M) else "gitlab")
        log(f"{kind}: {args.recipe}; emulator {org.url} (management {org.mgmt}, accounts {sorted(org.ids)}); releases {stubs.url}/releases; work {work}")
        (GitHub if kind == "github" else GitLab)(runner, args.recipe).scenario()
        check(stubs.downloads, "no job downloaded orgctl")
        log(f"\nOK: {args.recipe} ran as written ({len(stubs.downloads) // 2} checksum-verified installs of orgctl)")
        return 0
    except Fail as e:
        log(f"\nFAIL: {e}")
        return 1
    finally:
        if stubs:
            stubs.close()
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

