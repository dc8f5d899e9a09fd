"""Action plans: importing an act's tasks from a file, and the implementation report of an act."""
