"""Evaluate page (waiting for its back end)."""

from __future__ import annotations

import streamlit as st

st.title("Evaluate")
st.info("This page is not available yet.")
