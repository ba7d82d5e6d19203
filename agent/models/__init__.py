"""Chat model factory: the offline model by default; a provider model when ``MMM_AGENT_MODEL`` names one.

    MMM_AGENT_MODEL=offline                 (default) deterministic, no network
    MMM_AGENT_MODEL=openai:gpt-4o           pip install langchain-openai     + OPENAI_API_KEY
    MMM_AGENT_MODEL=anthropic:claude-...    pip install langchain-anthropic  + ANTHROPIC_API_KEY
    MMM_AGENT_MODEL=ollama:llama3           pip install langchain-ollama     (local Ollama server)

All of them run in the same graph with the same tools, guards, grounding and prompts.
"""

from __future__ import annotations

import os

from langchain.chat_models import init_chat_model
from langchain_core.language_models import BaseChatModel

from agent.models.offline import OfflineChatModel
from mmm_core.errors import MMMError

MODEL_ENV = "MMM_AGENT_MODEL"
_PACKAGES = {
    "openai": "langchain-openai",
    "anthropic": "langchain-anthropic",
    "ollama": "langchain-ollama",
    "google_genai": "langchain-google-genai",
    "mistralai": "langchain-mistralai",
    "groq": "langchain-groq",
}


class ModelProviderError(MMMError):
    code = "model_provider"


def get_model(spec: str | None = None) -> BaseChatModel:
    """The chat model named by ``spec`` (or ``$MMM_AGENT_MODEL``); 'offline' or nothing → OfflineChatModel."""
    spec = (spec or os.environ.get(MODEL_ENV) or "offline").strip()
    if spec.casefold() in ("offline", "default", ""):
        return OfflineChatModel()
    provider = spec.split(":", 1)[0].casefold() if ":" in spec else ""
    if not provider:
        raise ModelProviderError(
            f"{MODEL_ENV}={spec!r} does not name a provider.",
            "Use provider:model, e.g. openai:gpt-4o, anthropic:claude-sonnet-4-5, ollama:llama3 — or 'offline'.",
            code="model_spec_invalid",
        )
    try:
        return init_chat_model(spec)
    except ImportError as exc:
        package = _PACKAGES.get(provider, f"langchain-{provider}")
        raise ModelProviderError(
            f"The {provider} chat model needs the package {package}, which is not installed ({exc}).",
            f"pip install {package}   (or unset {MODEL_ENV} to use the offline model)",
            code="model_package_missing",
        ) from None
    except ValueError as exc:
        raise ModelProviderError(
            f"Cannot create chat model {spec!r}: {exc}",
            "Check the provider name and model id.",
            code="model_spec_invalid",
        ) from None
