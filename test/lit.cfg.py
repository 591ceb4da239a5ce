# lit configuration for ssc. Tests run the built `ssc` with FileCheck and
# `not` from LLVM 16's tools.
import os

import lit.formats

config.name = "ssc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".arch", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ssc_obj_root, "test")

path = [config.ssc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", "")]
config.environment["PATH"] = os.pathsep.join(path)
# Data files (GPU catalog, profiles, zoo) come from the source tree.
config.environment["SSC_DATA_DIR"] = config.ssc_src_root
for var in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "HOME"):
    if var in os.environ:
        config.environment[var] = os.environ[var]

inputs = os.path.join(config.ssc_src_root, "test", "Inputs")
config.substitutions.append(("%python", config.python_executable))
config.substitutions.append(("%repo", config.ssc_src_root))
config.substitutions.append(("%models", os.path.join(config.ssc_src_root, "models")))
# `%exit1 cmd...`: cmd must exit with status 1 exactly (an error, not a crash).
config.substitutions.append(
    ("%exit1", config.python_executable + " " + os.path.join(inputs, "expect_exit.py") + " 1"))
config.substitutions.append(
    ("%make-input", config.python_executable + " " + os.path.join(inputs, "make_input.py")))

if config.ssc_sanitized:
    config.available_features.add("sanitizer")

# The seed tool's reference outputs, when the checkout sits beside them.
shallowsim = os.path.join(os.path.dirname(config.ssc_src_root), "shared", "reference", "shallowsim")
if os.path.isdir(shallowsim):
    config.available_features.add("shallowsim-reference")
config.substitutions.append(("%shallowsim", shallowsim))
# Published serving measurements (validation_public.csv), likewise.
measurements = os.path.join(os.path.dirname(config.ssc_src_root), "shared", "reference",
                            "measurements")
if os.path.isdir(measurements):
    config.available_features.add("measurements-reference")
config.substitutions.append(("%measurements", measurements))
