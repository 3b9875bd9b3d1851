"""Reading the mood of a photo without a usable face (the sea, a meal, a park) from its colours and texture.

numpy / Pillow / OpenCV only: no torch. ``features`` turns a photo into a fixed vector,
``head`` holds the closed-form regression heads, ``baseline`` the Valdez & Mehrabian (1994)
colour formula, ``nonscene`` the check that refuses documents, screenshots and flat images, and
``runtime`` loads the shipped weights (inference/weights/scene/) and reads photos.
"""
