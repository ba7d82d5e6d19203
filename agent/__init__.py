"""mmm-agent's conversational layer: LangGraph graph, chat models, grounding, CLI and Chainlit app."""
