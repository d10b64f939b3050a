"""riskmodel"""
