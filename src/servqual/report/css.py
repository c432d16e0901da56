"""The report's style sheet: readable on screen, clean when printed to A4 PDF."""

CSS = """
:root{--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--accent:#0072b2;--warn:#8a4b00}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans","Noto Sans","Noto Sans CJK SC",Arial,sans-serif;color:var(--ink);
  max-width:62rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45;overflow-wrap:break-word}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.35rem;border-bottom:2px solid var(--line);
  padding-bottom:.2rem;margin-top:2.2rem}h3{font-size:1.05rem;margin-top:1.4rem}
.subtitle{color:var(--muted);margin-top:0}
nav{background:#f6f8fa;border:1px solid var(--line);padding:.5rem 1rem;border-radius:4px}
nav ol{margin:.3rem 0;padding-left:1.4rem;columns:2}nav a{color:var(--accent)}
.table-wrap{max-width:100%;overflow-x:auto;margin:.6rem 0}
table{border-collapse:collapse;font-size:.85rem;max-width:100%}
caption{text-align:left;font-weight:bold;padding:.2rem 0;caption-side:top}
td,th{border:1px solid var(--line);padding:.25rem .5rem;vertical-align:top}
td{text-align:right;white-space:nowrap}td.txt{text-align:left;white-space:normal;min-width:6rem}th{text-align:left;font-weight:normal}
thead th{background:#f3f4f6;font-weight:bold;white-space:normal}
tbody th{max-width:22rem}
.kpis{display:flex;flex-wrap:wrap;gap:.8rem;margin:.8rem 0}
.kpi{border:1px solid var(--line);border-radius:4px;padding:.5rem .8rem;min-width:12rem;flex:1}
.kpi .value{font-size:1.6rem;font-weight:bold}.kpi .label,.kpi .detail{color:var(--muted);
  font-size:.85rem}
.method{color:var(--muted);font-size:.85rem;border-left:3px solid var(--line);padding-left:.6rem}
.notes{color:var(--warn);font-size:.88rem}
img{max-width:100%;height:auto;display:block;margin:.6rem 0}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5rem;font-size:.8rem}
details{margin:.5rem 0}summary{cursor:pointer;font-weight:bold}
footer{margin-top:3rem;border-top:1px solid var(--line);color:var(--muted);font-size:.8rem}
@page{size:A4;margin:15mm}
@media print{
  body{max-width:none;margin:0;padding:0;font-size:10pt}
  nav{break-after:page}
  section.major{break-before:page}
  .table-wrap{overflow:visible}
  table{font-size:7.5pt;width:100%;table-layout:auto}
  td{white-space:normal}
  details>*{display:block}
  img{max-height:120mm;width:auto;break-inside:avoid}
  a{color:inherit;text-decoration:none}
}
"""

#: opens every <details> before printing (a collapsed appendix would print empty)
PRINT_SCRIPT = (
    "<script>window.addEventListener('beforeprint',function(){"
    "document.querySelectorAll('details').forEach(function(d){d.open=true;});});</script>"
)
