// Module DLTrain: see README.md beside this file.
