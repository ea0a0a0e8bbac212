"""Correct answers other than the solution, for code questions whose checks were tightened
(issue 23): each must still be graded right, so that a stricter check never rejects an
answer the prompt allows. Keyed by (topic id, question id)."""

RIGHT: dict[tuple[str, str], list[tuple[str, str]]] = {}


def right(topic: str, question: str, name: str, *, code: str) -> None:
    RIGHT.setdefault((topic, question), []).append((name, code))


PRED_HEAD = """import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Dropout(0.3),
    torch.nn.Linear(8, 3),
)
with torch.no_grad():
    model(torch.randn(32, 4) + 1.0)

"""
right(
    "inference",
    "batched-predict",
    "split",
    code=PRED_HEAD
    + """def predict(model, data, batch_size):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(b) for b in torch.split(data, batch_size)])
""",
)
right(
    "inference",
    "batched-predict",
    "decorator-dataloader",
    code=PRED_HEAD
    + """from torch.utils.data import DataLoader

@torch.inference_mode()
def predict(model, data, batch_size):
    model.eval()
    return torch.cat([model(b) for b in DataLoader(data, batch_size=batch_size)])
""",
)
EXP_HEAD = """import torch

torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(8, 2)
)
example = torch.randn(4, 3)
model.eval()
"""
right(
    "inference",
    "export-dynamic-batch",
    "dict-by-name",
    code=EXP_HEAD
    + """batch = {0: torch.export.Dim("b")}
program = torch.export.export(model, (example,), dynamic_shapes={"input": batch})
""",
)
right(
    "inference",
    "export-dynamic-batch",
    "dim-dynamic",
    code=EXP_HEAD
    + """batch = torch.export.Dim.DYNAMIC
program = torch.export.export(model, (example,), dynamic_shapes=({0: batch},))
""",
)
ENC_HEAD = """import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(4, 10, 32)
layer = nn.TransformerEncoderLayer(
    d_model=32, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True, norm_first=True
)
"""
right(
    "transformer-block",
    "encoder-layer-config",
    "bool-triu-1",
    code=ENC_HEAD
    + """mask = torch.ones(10, 10, dtype=torch.bool).triu(diagonal=1)
out = layer(x, src_mask=mask)
""",
)
right(
    "transformer-block",
    "encoder-layer-config",
    "float-with-hint",
    code=ENC_HEAD
    + """mask = nn.Transformer.generate_square_subsequent_mask(10)
out = layer(x, src_mask=mask, is_causal=True)
""",
)
right(
    "transformer-block",
    "encoder-layer-config",
    "float-by-hand",
    code=ENC_HEAD
    + """mask = torch.full((10, 10), float("-inf")).triu(1)
out = layer(x, src_mask=mask)
""",
)
ST_HEAD = """import torch
import torch.nn.functional as F

def training_step(model, optimizer, x, y):
"""
ST_TAIL = """    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()
"""
right(
    "debugging-numerics",
    "stable-training-step",
    "module",
    code=ST_HEAD
    + """    loss = torch.nn.BCEWithLogitsLoss()(model(x).squeeze(1), y)
"""
    + ST_TAIL,
)
right(
    "debugging-numerics",
    "stable-training-step",
    "logsigmoid-both-terms",
    code=ST_HEAD
    + """    z = model(x).squeeze(1)
    loss = -(y * F.logsigmoid(z) + (1 - y) * F.logsigmoid(-z)).mean()
"""
    + ST_TAIL,
)
right(
    "debugging-numerics",
    "stable-training-step",
    "logsumexp-by-hand",
    code=ST_HEAD
    + """    z = model(x).squeeze(1)
    loss = (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()
"""
    + ST_TAIL,
)
right(
    "debugging-numerics",
    "stable-training-step",
    "float-of-tensor",
    code=ST_HEAD
    + """    loss = F.binary_cross_entropy_with_logits(model(x).squeeze(1), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return float(loss)
""",
)
FN = """import torch

class Log(torch.nn.Module):
    def forward(self, x):
        return torch.log(x)

"""
right(
    "debugging-numerics",
    "first-nonfinite",
    "inference-mode-dict",
    code=FN
    + """def first_nonfinite(model, x):
    names = {m: n for n, m in model.named_modules()}
    found = []

    def hook(module, inputs, output):
        if not found and not torch.isfinite(output).all():
            found.append(names[module])

    handles = [m.register_forward_hook(hook) for m in names]
    try:
        with torch.inference_mode():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return found[0] if found else None
""",
)
right(
    "torch-compile",
    "make-fullgraph",
    "cond",
    code="""import torch

def f(x):
    return torch.cond(x.sum() > 0, lambda t: t * 2, lambda t: t - 1, (x,))
""",
)
SP = """import torch

def make():
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))

torch.manual_seed(0)
saved = torch.compile(make(), backend="eager").state_dict()

model = make()
"""
right(
    "torch-compile",
    "strip-prefix",
    "consume-prefix",
    code=SP
    + """torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(saved, "_orig_mod.")
model.load_state_dict(saved)
""",
)
right(
    "torch-compile",
    "strip-prefix",
    "slice",
    code=SP
    + """model.load_state_dict({k[len("_orig_mod."):]: v for k, v in saved.items()})
""",
)
