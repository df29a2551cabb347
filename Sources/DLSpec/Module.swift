// Module DLSpec: see README.md beside this file.
