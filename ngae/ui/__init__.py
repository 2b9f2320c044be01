"""Pure presentation for the dashboard: Plotly figures, cell drawings, tables, form parsing.

Functions of what :mod:`ngae.explorer` returns; nothing here imports Streamlit.
"""
