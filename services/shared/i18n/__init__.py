"""Arabic and English for everything staff and customers read: catalogues, the language chosen, formats."""
