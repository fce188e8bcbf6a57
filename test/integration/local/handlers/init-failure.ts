// A module that fails while loading (the init phase), like a handler with a broken import.
export {};

throw new Error("init failed on purpose");
