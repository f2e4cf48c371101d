"""The classifier process: reads an inquiry and picks its queue, intent, language and priority."""
