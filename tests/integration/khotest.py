"""khotest.py — what the Python integration tests of kho share: their TAP
results (check, skip, report), running the kho binary, stopping a process
started in the background, SHA-256 of bytes and files, and the outer run
that reports and cleans up.

A test script imports it from its own folder, whatever the current folder,
and writes no __pycache__ into the source tree:

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from khotest import check, skip
"""
import hashlib
import shutil
import signal
import subprocess
import sys
import traceback

results = []   # (name, True | False | None for a skip, detail), in order


def check(name, condition, detail=""):
    """Records a test @name that passes when @condition is true; @detail is
    printed under it when it fails.  Returns whether it passed."""
    results.append((name, bool(condition), detail))
    return bool(condition)


def skip(name, why):
    results.append((name, None, why))


def report():
    """Prints the TAP plan and a line for each result, the detail of a
    failure as # comments; returns how many failed."""
    print("1..%d" % len(results))
    failed = 0
    for i, (name, ok, detail) in enumerate(results, 1):
        if ok is None:
            print("ok %d %s # SKIP %s" % (i, name, detail))
            continue
        print("%s %d %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            failed += 1
            for line in str(detail).splitlines() or [""]:
                print("# %s" % line)
    return failed


def run_kho(command, args, env, status=0, stdin=None):
    """Runs @command (the kho binary, perhaps with options of its own) with
    @args; raises AssertionError with its output when it does not exit with
    @status (None: any status).  Returns the CompletedProcess, text mode."""
    proc = subprocess.run(list(command) + list(args), env=env, capture_output=True, text=True,
                          input=stdin)
    if status is not None and proc.returncode != status:
        raise AssertionError("kho %s: exit %d, wanted %d\n%s%s" %
                             (" ".join(args), proc.returncode, status, proc.stdout, proc.stderr))
    return proc


def stop(proc, timeout=15):
    """Stops the Popen @proc with SIGTERM, killing it when it has not exited
    within @timeout seconds.  Returns its exit status, None when it had to
    be killed."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None
    return proc.returncode


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def sha256_file(path):
    return sha256(read_file(path))


def run(main, tmp, cleanup=None, crash_detail=None):
    """Runs main(), prints the report and exits 1 when a check failed, else
    0.  An exception in main() is one more failure, "the test ran to its
    end", with its traceback and what crash_detail() returns, so that the
    checks made before it are still reported.  Then cleanup() runs and the
    scratch folder @tmp is removed, whatever happened."""
    status = 1
    try:
        try:
            main()
        except Exception:
            check("the test ran to its end", False, traceback.format_exc() +
                  (crash_detail() if crash_detail else ""))
        status = 1 if report() else 0
    finally:
        if cleanup:
            cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(status)
