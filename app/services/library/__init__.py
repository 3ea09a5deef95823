"""The story library: the stories (catalog), the story of the week, the cart (nominations,
feedback, places) and the library as JSON (exchange), over one shared StoryStore."""
