"""Persistent state: answer files in assignment folders, and (later) the peerkit store."""
