Feature: Reports that scale
  Scenario: Update every host of a large fleet
    Given I allow at most 2 failed hosts per batch
    And each step may take up to 300 seconds
    When I update the package mywebapp
    Then the package version for mywebapp should be 4.2.6-3.el5
