// Module DLRuntime: see README.md beside this file.
