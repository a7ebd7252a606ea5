"""Page handlers: plain values in, plain values out, the Workbench and the actor passed in."""
