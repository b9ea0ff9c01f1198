# SPDX-License-Identifier: GPL-2.0
"""KTAP output for the Python tests, matching selftests/lib/lib.sh."""
import sys
import traceback


class Ktap:
    def __init__(self):
        self.n = self.passed = self.failed = 0
        print("KTAP version 1", flush=True)

    def result(self, ok, desc, diag=None):
        self.n += 1
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%s %d %s" % ("ok" if ok else "not ok", self.n, desc), flush=True)
        if diag and not ok:
            for line in str(diag).splitlines():
                print("# " + line, flush=True)

    def check(self, desc, fn):
        """Run fn(); ok unless it raises (AssertionError or anything else)."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is a test result
            self.result(False, desc, "".join(traceback.format_exception_only(type(e), e)))
            return False
        self.result(True, desc)
        return True

    def finish(self):
        print("1..%d" % self.n)
        print("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0"
              % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed or not self.passed else 0)
