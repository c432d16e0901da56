# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 08 — Your own survey, end to end
#
# **Question answered:** you have a raw survey export — your own column names, a 1–5 scale,
# `0` meaning "not applicable" — how do you get from that file to validated data, reliability
# per block, the drivers of satisfaction and the standard report?
#
# We use a real survey: the ABC 2010 annual customer satisfaction survey (Kenett & Salini
# 2011; 266 business customers rating equipment, sales and technical support, supplies,
# administration and terms on 1–5, many items also for importance, with 0 = N/A). It ships
# with servqual (`load_dataset("abc_survey")`). We first write it out as a semicolon-separated
# export, as a European survey tool would, and start from that file.

# %%
import pandas as pd

import servqual as sq
from servqual.measurement import cronbach_alpha
from servqual.report import survey_report

raw = sq.load_dataset("abc_survey")
raw.to_csv("abc_export.csv", sep=";", index=False)
raw.iloc[:5, :10]

# %% [markdown]
# ## 1. Read the file and draft a codebook
#
# `read_survey` sniffs the delimiter, encoding and decimal comma. Without a codebook it drafts
# one: every integer column with 2–11 points is an item whose scale is its observed range,
# blocks come from name prefixes. The draft is a starting point: here the 0 code widens the
# scale to 0–5, and `q`/`qi` are not the real blocks. (`servqual init abc_export.csv -o
# codebook.yml` does the same from the command line.)

# %%
draft = sq.read_survey("abc_export.csv")
print(draft.notes)
print(draft.codebook)

# %% [markdown]
# ## 2. The edited codebook
#
# The edited version declares the scale 1–5, the N/A code 0, six blocks, the importance
# partners, labels and the roles: `q1` is overall satisfaction, `q4` (would recommend, on 1–5,
# so *not* an NPS item) and `q5` (would repurchase) measure loyalty. It ships as
# `servqual.datasets.abc_codebook()`; we write it beside the data, as you would keep yours.

# %%
cb = sq.datasets.abc_codebook()
path = sq.write_codebook(cb, "abc_codebook.yml", force=True)
print(path.read_text(encoding="utf-8")[:900])

# %% [markdown]
# ## 3. Validation: N/A codes counted apart from blank answers
#
# The codebook turns every 0 into a missing value and counts it as an N/A code, apart from
# the questions left blank. `validate` checks each column against its own scale.

# %%
survey = sq.read_survey("abc_export.csv", codebook="abc_codebook.yml")
na = survey.missing.assign(share_na=lambda t: t["coded"] / len(survey.data))
na.sort_values("coded", ascending=False).head(8)

# %%
clean, report = sq.validate(raw, cb)
print(report)

# %% [markdown]
# ## 4. Reliability per block, on each block's complete cases
#
# With many N/A answers, keeping only respondents complete on *every* block would leave very
# few. Each block's Cronbach's alpha is therefore computed on the respondents who answered all
# of that block's items.

# %%
blocks = cb.instrument.dimension_columns()
rows = []
for block, cols in blocks.items():
    complete = survey.data[cols].dropna()
    rows.append({"block": block, "items": len(cols), "n complete": len(complete),
                 "alpha": cronbach_alpha(complete)})  # fmt: skip
n_all = int(survey.data[[c for cols in blocks.values() for c in cols]].notna().all(axis=1).sum())
print(f"respondents complete on every block: {n_all}")
pd.DataFrame(rows).set_index("block").round(3)

# %% [markdown]
# ## 5. Drivers of overall satisfaction
#
# Block scores average the answered items of each block (available-case); the driver model
# then uses the respondents with a score on every block and an overall-satisfaction answer.

# %%
scores = sq.scores.composites(survey.data, cb.instrument, None, min_items=1)
scores["satisfaction"] = survey.data["q1"]
model_rows = scores.dropna()
print(f"driver model on {len(model_rows)} of {len(scores)} respondents")
drivers = sq.drivers.key_drivers(model_rows, "satisfaction", list(blocks), n_boot=200,
                                 seed=1, progress=False)  # fmt: skip
drivers.table.query("method == 'shapley'")[["driver", "importance", "share", "ci_lower",
                                             "ci_upper"]].round(3)  # fmt: skip

# %% [markdown]
# ## 6. The report
#
# The same codebook drives the report: an executive summary first (CSAT, the mean rating,
# the block profile, the top drivers and the priority actions), then the sections, then a
# collapsed technical appendix. Titles and tables use the codebook's labels, and sections
# whose roles are missing (here NPS: no 0–10 recommend item) say why. `write` saves
# `report.html`, `report.xlsx` (every table) and `summary.pptx`. From the
# command line: `servqual report abc_export.csv --codebook abc_codebook.yml --out abc_report
# --missing available`.

# %%
rep = survey_report(raw, cb, missing="available", n_boot=50, seed=1)
out = rep.write("abc_report", force=True)
for s in rep.all_sections():
    print(f"{s.title:<55} {'; '.join(s.notes)[:110]}")

# %% [markdown]
# ## 7. A recommend item that is not 0–10 is refused
#
# Declaring the 1–5 `q4` as the NPS item is refused with a message naming it: an NPS on a
# 1–5 item would be −100 by construction.

# %%
spec = cb.to_dict()
spec["roles"]["recommend"] = "q4"
try:
    sq.codebook.Codebook.from_dict(spec)
except sq.errors.CodebookError as exc:
    print(exc)
