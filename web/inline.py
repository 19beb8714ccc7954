"""Makes the offline page one file: the worker script, the wasm-bindgen glue and the
WebAssembly (gzip, base64) go into web/page.html. Used by web/build.sh.

usage: python3 web/inline.py PAGE.html GLUE.js MODULE.wasm VERSION OUT.html
"""
import base64
import gzip
import json
import sys

page_path, glue_path, wasm_path, version, out_path = sys.argv[1:6]
page = open(page_path, encoding="utf-8").read()
glue = open(glue_path, encoding="utf-8").read()
worker = open(page_path.replace("page.html", "worker.js"), encoding="utf-8").read()
# The worker warms the library up on the seed forms, taken from the shipped samples.
seed_path = page_path.replace("web/page.html", "samples/seed-forms-2024.json")
seed = json.load(open(seed_path, encoding="utf-8"))
forms = [{key: value for key, value in form.items() if key != "source"} for form in seed["forms"]]
warm = json.dumps({"forms": forms}, ensure_ascii=False)
if worker.count("/*WARM_FORMS*/") != 1:
    sys.exit("inline.py: /*WARM_FORMS*/ must stand once in worker.js")
worker = worker.replace("/*WARM_FORMS*/", json.dumps(warm, ensure_ascii=False))
wasm = open(wasm_path, "rb").read()
# mtime=0: the same module gives the same page.
packed = base64.b64encode(gzip.compress(wasm, compresslevel=9, mtime=0)).decode("ascii")
script = f"{glue}\nconst WASM_GZ_BASE64 = \"{packed}\";\n{worker}"
if "</script" in script.lower():
    sys.exit("inline.py: the worker script contains </script>, which would end the page's tag")
for marker in ("/*WORKER*/", "/*VERSION*/"):
    if page.count(marker) != 1:
        sys.exit(f"inline.py: {marker} must stand once in {page_path}")
page = page.replace("/*WORKER*/", script).replace("/*VERSION*/", version)
open(out_path, "w", encoding="utf-8").write(page)
print(f"{out_path}: {len(page.encode('utf-8')) / 1024 / 1024:.2f} MiB (WebAssembly {len(wasm) / 1024 / 1024:.2f} MiB)")
