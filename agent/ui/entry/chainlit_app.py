"""The file ``mmm-agent ui`` points ``chainlit run`` at: it only imports :mod:`agent.ui.app`.

Chainlit puts the target file's folder first on ``sys.path``. Pointed at agent/ui/app.py, that folder's modules
shadow top-level packages — agent/ui/tools.py hides the ``tools`` package, and the app fails to start — once the
code is installed from a wheel (an editable install's import hook happens to resolve ``tools`` first). This
folder has no module worth shadowing.
"""

import agent.ui.app  # noqa: F401  (importing it registers the Chainlit handlers)
