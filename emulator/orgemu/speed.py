"""Speed, not AWS rules: two look-ups moto makes on every request, without their scans.

1. The caller's account from its access key. moto's `get_account_id_from(access_key)` walks
   every account's IAM backend in every partition for each request (four times per
   Organizations request, counting moto's dispatch, the call log and the rule modules), and
   creates the partition backends it visits; with 1,000 accounts in the organization that is
   ~25,000 dictionary look-ups, tens of milliseconds per request, and a seed of 5,000 accounts
   takes an hour. install() replaces it with a memo: key -> account id (or "not an issued key",
   which means moto's default account). A remembered account is checked against that account's
   backends before it is used (a deleted key or a moto reset falls back to the scan); "not
   issued" answers are forgotten whenever moto issues or deletes an access key
   (IAMBackend.create_access_key, create_temp_access_key -- what STS AssumeRole uses -- and
   delete_access_key_by_name), so the answers are moto's own.
2. moto's list of its service modules (`moto.backends.list_of_moto_modules`, a directory listing
   and a stat per entry, ~180 of them, twice per request): read once; the installed package
   does not change while the emulator runs.

server.install() calls install() first; it rebinds the names in the modules that imported them.
"""

import threading

from moto.iam import models as iam_models
from moto.utilities.utils import PARTITION_NAMES

_SCAN = iam_models.get_account_id_from
_MEMO = {}  # access key -> account id, or None: not an issued key (moto's default account)
_LOCK = threading.Lock()
_GEN = [0]  # bumped whenever moto issues or deletes an access key


def _holds(account_id, key):
    backends = iam_models.iam_backends.get(account_id)
    if backends is None:
        return False
    return any(p in backends and key in backends[p].access_keys for p in PARTITION_NAMES)


def get_account_id_from(access_key):
    hit = _MEMO.get(access_key, _MISSING)
    if hit is None:
        return iam_models.DEFAULT_ACCOUNT_ID
    if hit is not _MISSING and _holds(hit, access_key):
        return hit
    gen = _GEN[0]
    found = _SCAN(access_key)
    issued = found != iam_models.DEFAULT_ACCOUNT_ID or _holds(found, access_key)
    with _LOCK:
        if _GEN[0] == gen:  # no key issued or deleted during the scan
            _MEMO[access_key] = found if issued else None
    return found


_MISSING = object()


def _forget(method):
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        finally:
            with _LOCK:
                _GEN[0] += 1
                _MEMO.clear()

    wrapper.__name__ = method.__name__
    return wrapper


def install():
    from moto import backends

    from . import calls, common

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    B = iam_models.IAMBackend
    for name in ("create_access_key", "create_temp_access_key", "delete_access_key_by_name"):
        setattr(B, name, _forget(getattr(B, name)))
    iam_models.get_account_id_from = get_account_id_from  # moto's responses import it per call
    common.get_account_id_from = get_account_id_from
    calls.get_account_id_from = get_account_id_from
