// placeholder: filled in by the messaging work
