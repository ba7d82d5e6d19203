"""The folder ``chainlit run`` starts from (see :mod:`agent.ui.entry.chainlit_app`); it holds nothing else."""
