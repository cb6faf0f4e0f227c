#!/usr/bin/env python3
"""Python peers of `npm run bench` (kernel/src/bench/python.ts runs this).

Reads a request as JSON on stdin:
    {"threads": 1, "tasks": [{"id": 0, "kind": "gemm", "lib": "numpy",
     "policy": {...RepeatPolicy}, ...}, ...]}
and prints one JSON object on stdout:
    {"env": {...versions, BLAS config}, "results": [{"id": 0,
     "samples": [seconds per run, ...], "callsPerSample": 1}, ...]}
A result has "skipped" (a library is not importable) or "failed" (the task
raised) instead of samples.

Timing is in-process with time.perf_counter and follows the same repeat
policy as kernel/src/bench/measure.ts. The caller fixes the thread count
through OMP_NUM_THREADS / OPENBLAS_NUM_THREADS before this starts (BLAS
reads them once, at load); PyTorch also gets torch.set_num_threads.

To add a peer for a new row: write a builder that takes the task and the
loaded libraries and returns (run, note), and register it in TASKS.
"""

import io
import json
import math
import os
import platform
import sys
import time
from contextlib import redirect_stdout

LIBS = {}  # name -> module, for the libraries that imported
MISSING = {}  # name -> why it did not import


def load_libraries(threads):
    for name in ("numpy", "torch", "scipy.special", "sklearn"):
        try:
            module = __import__(name, fromlist=["_"])
            LIBS[name] = module
        except Exception as err:  # any import failure skips that peer
            MISSING[name] = f"{name} not importable: {type(err).__name__}: {err}"
    if "torch" in LIBS:
        LIBS["torch"].set_num_threads(threads)


def measure(run, policy):
    """Warm-up, calls per sample, then samples: as measure.ts does."""

    def time_calls(calls):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        return time.perf_counter() - start

    warm_start = time.perf_counter()
    last = time_calls(1)
    for _ in range(1, policy["warmupRuns"]):
        if time.perf_counter() - warm_start > policy["maxSeconds"] / 4:
            break
        last = time_calls(1)

    calls = max(1, math.ceil(policy["minSampleSeconds"] / max(last, 1e-9)))
    samples = []
    start = time.perf_counter()
    while len(samples) < policy["repeats"]:
        spent = time.perf_counter() - start
        if len(samples) >= policy["minRepeats"] and spent > policy["maxSeconds"]:
            break
        samples.append(time_calls(calls) / calls)
    return samples, calls


def gemm(task):
    """C = op(A) op(B); A stored [k, m] when transA, B [n, k] when transB."""
    m, k, n = task["m"], task["k"], task["n"]
    a_shape = (k, m) if task["transA"] else (m, k)
    b_shape = (n, k) if task["transB"] else (k, n)
    if task["lib"] == "numpy":
        np = LIBS["numpy"]
        rng = np.random.default_rng(2024)
        A = rng.random(a_shape, dtype=task["dtype"])
        B = rng.random(b_shape, dtype=task["dtype"])
        C = np.empty((m, n), dtype=task["dtype"])
        opA = A.T if task["transA"] else A  # a view: BLAS gets the flag
        opB = B.T if task["transB"] else B
        return (lambda: np.matmul(opA, opB, out=C)), "np.matmul(out=C)"
    torch = LIBS["torch"]
    dtype = getattr(torch, task["dtype"])
    gen = torch.Generator().manual_seed(2024)
    A = torch.rand(a_shape, dtype=dtype, generator=gen)
    B = torch.rand(b_shape, dtype=dtype, generator=gen)
    C = torch.empty((m, n), dtype=dtype)
    opA = A.t() if task["transA"] else A
    opB = B.t() if task["transB"] else B
    return (lambda: torch.matmul(opA, opB, out=C)), "torch.matmul(out=C)"


def sigmoid(task):
    n, dtype = task["n"], task["dtype"]
    if task["lib"] == "numpy":
        np = LIBS["numpy"]
        x = np.random.default_rng(7).uniform(-8, 8, n).astype(dtype)
        out = np.empty(n, dtype=dtype)
        if "scipy.special" in LIBS:
            expit = LIBS["scipy.special"].expit
            return (lambda: expit(x, out=out)), "scipy.special.expit(out=)"

        def run():  # 1 / (1 + exp(-x)), in place
            np.negative(x, out=out)
            np.exp(out, out=out)
            out += 1
            np.reciprocal(out, out=out)

        return run, "numpy 1/(1+exp(-x)) in place (scipy missing)"
    torch = LIBS["torch"]
    gen = torch.Generator().manual_seed(7)
    x = torch.rand(n, dtype=getattr(torch, dtype), generator=gen) * 16 - 8
    out = torch.empty_like(x)
    return (lambda: torch.sigmoid(x, out=out)), "torch.sigmoid(out=)"


def bernoulli(task):
    n, dtype = task["n"], task["dtype"]
    if task["lib"] == "numpy":
        np = LIBS["numpy"]
        rng = np.random.default_rng(7)
        p = rng.random(n, dtype=dtype)
        u = np.empty(n, dtype=dtype)
        out = np.empty(n, dtype=bool)

        def run():  # as sklearn's BernoulliRBM samples: uniform < p
            rng.random(out=u, dtype=dtype)
            np.less(u, p, out=out)

        return run, "rng.random(out=u); u < p (bool out)"
    torch = LIBS["torch"]
    gen = torch.Generator().manual_seed(7)
    p = torch.rand(n, dtype=getattr(torch, dtype), generator=gen)
    out = torch.empty_like(p)
    return (
        lambda: torch.bernoulli(p, generator=gen, out=out)
    ), "torch.bernoulli(out=)"


def mnist_binary(task):
    """The first `rows` training images of MNIST, pixel > 127 -> 1 (as ours)."""
    np = LIBS["numpy"]
    rows, cols = task["rows"], task["visible"]
    raw = np.fromfile(task["mnistImages"], dtype=np.uint8, count=rows * cols,
                      offset=16)
    return (raw.reshape(rows, cols) > 127).astype(task["dtype"])


def rbm_epoch(task):
    """One CD-1 epoch of scikit-learn's BernoulliRBM on binarised MNIST."""
    sk_rbm = __import__("sklearn.neural_network", fromlist=["_"]).BernoulliRBM
    X = mnist_binary(task)

    def run():  # fit with n_iter=1 is one pass over X in batches
        sk_rbm(n_components=task["hidden"], learning_rate=0.1,
               batch_size=task["batch"], n_iter=1, random_state=0).fit(X)

    # BernoulliRBM's update is PCD-1 with sampled visible units: the same
    # five products per batch as ours; fit also builds the model each run.
    return run, f"BernoulliRBM.fit(n_iter=1) (PCD-1, model built per run), X {X.dtype}"


def text_ids(path):
    """A gzipped UTF-8 text as ids of its sorted distinct characters (as
    memnets' Vocabulary.fromText: code point order)."""
    import gzip

    with gzip.open(path, "rb") as f:  # bytes: no newline translation
        text = f.read().decode("utf-8")
    chars = sorted(set(text))
    index = {ch: i for i, ch in enumerate(chars)}
    return [index[ch] for ch in text], len(chars)


def char_model_train(task, recurrent, name):
    """One training step of a character model per run, as the memnets rows:
    a fresh window of B (T + 1) characters as B streams, one-hot input, the
    `recurrent` layer (batch_first, zero initial state), nn.Linear readout,
    mean cross-entropy, backward, clip_grad_norm_, Adam. `recurrent(K, H,
    dtype)` builds the layer; `name` starts the note."""
    torch = LIBS["torch"]
    nn, F = torch.nn, torch.nn.functional
    dtype = getattr(torch, task["dtype"])
    B, T, H = task["batch"], task["steps"], task["hidden"]
    ids, K = text_ids(task["textPath"])
    if K != task["vocabulary"]:
        raise ValueError(f"expected {task['vocabulary']} characters, got {K}")
    data = torch.tensor(ids, dtype=torch.int64)
    torch.manual_seed(0)
    layer = recurrent(K, H, dtype)
    readout = nn.Linear(H, K, dtype=dtype)
    params = list(layer.parameters()) + list(readout.parameters())
    optimizer = torch.optim.Adam(params, lr=task["learningRate"])
    window = B * (T + 1)
    windows = data.numel() // window
    count = [0]

    def run():
        k = count[0] % windows
        count[0] += 1
        chunk = data[k * window:(k + 1) * window].view(B, T + 1)
        x = F.one_hot(chunk[:, :T], K).to(dtype)
        logits = readout(layer(x)[0])
        loss = F.cross_entropy(logits.reshape(B * T, K),
                               chunk[:, 1:].reshape(B * T))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, task["clipNorm"])
        optimizer.step()
        if not math.isfinite(loss.item()):
            raise FloatingPointError(f"loss {loss.item()} at step {k}")

    return run, (f"{name} + nn.Linear, one-hot input, mean cross_entropy, "
                 f"clip_grad_norm_ {task['clipNorm']}, Adam; {task['dtype']}")


def rnn_train(task):
    """The char RNN step: nn.RNN with tanh."""
    nn = LIBS["torch"].nn
    return char_model_train(
        task, lambda K, H, dtype: nn.RNN(K, H, nonlinearity="tanh",
                                          batch_first=True, dtype=dtype),
        "nn.RNN(tanh)")


def lstm_train(task):
    """The char LSTM step: nn.LSTM, one layer, PyTorch's default init."""
    nn = LIBS["torch"].nn
    return char_model_train(
        task, lambda K, H, dtype: nn.LSTM(K, H, batch_first=True,
                                           dtype=dtype),
        "nn.LSTM")


TASKS = {"gemm": gemm, "sigmoid": sigmoid, "bernoulli": bernoulli,
         "rbm_epoch": rbm_epoch, "rnn_train": rnn_train,
         "lstm_train": lstm_train}


def run_task(task):
    lib = task["lib"]
    if lib in MISSING:
        return {"id": task["id"], "skipped": MISSING[lib]}
    if task["kind"] not in TASKS:
        return {"id": task["id"], "failed": f"unknown task kind {task['kind']}"}
    try:
        run, note = TASKS[task["kind"]](task)
        samples, calls = measure(run, task["policy"])
    except Exception as err:
        return {"id": task["id"], "failed": f"{type(err).__name__}: {err}"}
    return {"id": task["id"], "samples": samples, "callsPerSample": calls,
            "note": note}


def blas_config():
    """Which BLAS (and which kernel) NumPy and PyTorch run on."""
    try:
        from threadpoolctl import threadpool_info

        return {"threadpoolctl": threadpool_info()}
    except ImportError:
        pass
    if "numpy" not in LIBS:
        return {}
    text = io.StringIO()
    with redirect_stdout(text):
        LIBS["numpy"].show_config()
    return {"numpy.show_config": text.getvalue()[:4000]}


def environment(threads):
    versions = {"python": platform.python_version()}
    for name, module in LIBS.items():
        versions[name.split(".")[0]] = getattr(module, "__version__", None)
    if "scipy.special" in LIBS:
        import scipy

        versions["scipy"] = scipy.__version__
    env = {
        "threads": threads,
        "versions": versions,
        "missing": MISSING,
        "blas": blas_config(),
        "envThreads": {
            k: os.environ.get(k)
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
        },
    }
    if "torch" in LIBS:
        env["torchThreads"] = LIBS["torch"].get_num_threads()
    return env


def main():
    request = json.load(sys.stdin)
    load_libraries(request["threads"])
    results = [run_task(t) for t in request["tasks"]]
    json.dump({"env": environment(request["threads"]), "results": results},
              sys.stdout)


if __name__ == "__main__":
    main()
