"""The inbox: everything that waits on one person, across features. It sits above the features (it reads their
services and models); no feature imports it."""
